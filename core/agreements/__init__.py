"""The agreements of an exchange: which kind fits, and its PDF rendered from a Typst template."""
