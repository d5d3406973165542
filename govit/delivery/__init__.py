"""After the contract: construction reports, acceptance rectification and extensions, termination,
assets, the duties that recur (O&M and performance reports, self-evaluation), and evaluations."""
