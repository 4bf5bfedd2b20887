"""The files `formgen init` writes into a new site, installed as the package data `generator.scaffold`.

Stored under plain names (``gitignore``, ``workflow.yml``): package data skips dotfiles, and a
``.github`` folder inside the package would be read as this repository's own CI. `scaffolding.py`
maps each to its place in the new site."""
