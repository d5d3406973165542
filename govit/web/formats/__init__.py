"""How dates read on every page, one format per language (settings.FORMAT_MODULE_PATH): a day is
2026年3月5日 in Chinese, as the regulations and the platform's messages (policy.decide.cn_date)
write it, and Mar. 5, 2026 in English; a moment adds the 24-hour time. Templates use ``|date``
and ``|date:"DATETIME_FORMAT"``, Python code ``web.labels.day`` and ``web.labels.moment``; no
page spells a format of its own (tests/web/test_dates.py)."""
