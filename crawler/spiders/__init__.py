"""The one generic spider: crawler.spiders.reports.ReportsSpider."""
