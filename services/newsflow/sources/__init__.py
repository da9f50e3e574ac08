"""Discovery: feeds, sitemaps and pages turned into SourceItems, plus polling decisions."""
