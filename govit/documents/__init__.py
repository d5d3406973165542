"""Project documents: every upload is a new version with its uploader, time, size and SM3 digest."""
