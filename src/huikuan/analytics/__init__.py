"""KPIs, reports and charts over recorded outcomes; reads, never captures."""
