"""formgen's default templates, CSS and JavaScript, installed as the package data `generator.templates`.

A site overrides any of them by putting a file of the same name in its own `templates/` folder
(`formgen help templates`, docs/templates.md)."""
