"""One module per CLI verb. Each has ``add_arguments(parser)`` and ``run(args) -> int``."""
