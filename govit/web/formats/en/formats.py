# Django's own en formats, except the time on a 24-hour clock, as in the Chinese interface.
DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "N j, Y, H:i"
MONTH_DAY_FORMAT = "F j"
SHORT_DATE_FORMAT = "N j, Y"
SHORT_DATETIME_FORMAT = "N j, Y, H:i"
