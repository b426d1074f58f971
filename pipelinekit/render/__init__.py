"""The generated files of a repository: the set of outputs, the ownership header and
hash, writing and drift-checking them, and `init`."""
