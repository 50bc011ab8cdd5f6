"""Find and fetch every 政府信息公开工作年度报告 on government portals (Scrapy)."""
