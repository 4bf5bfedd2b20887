"""formgen's documentation, installed as the package data `generator.docs` for `formgen help TOPIC`.

The pages are Markdown, read in the repository as they are in the terminal; docs/zh/ holds the pages
translated into Chinese, which `formgen help` shows when formgen speaks Chinese."""
