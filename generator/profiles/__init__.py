"""The profiles (表样) that come with formgen, as TOML files: package data, read by `generator.profile`.

docs/profiles.md documents every key; reference.toml spells out all of them."""
