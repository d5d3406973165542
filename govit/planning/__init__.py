"""Annual plans and 增补 (supplement) plans: compiled by the department, approved by the government."""
