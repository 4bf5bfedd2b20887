"""formgen: static generator for 项目支出绩效自评表.

The library is the pipeline: `pipeline.load_site` reads, validates, scores and checks a site;
`feed.site_feed` turns it into the public data feed. The CLI (`generator.__main__`) is a thin layer.
"""

__version__ = "0.1.0"
