"""The vocabulary every other package speaks: months, errors, the contract's values and their
cell parsers, configuration from the environment, languages, number formats and labels.
Imports nothing of Lingkaran's own beyond itself."""
