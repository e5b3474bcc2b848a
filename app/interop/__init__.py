"""The ecosystem's formats: spreadsheets (CSV/XLSX), Data Food Consortium JSON-LD, Ma Cantine, iCalendar.

Every import goes through the market's use cases (`app/services/market.py`), so ownership, windows
and validation hold exactly as for the JSON API; every export is plain data in, bytes out.
"""
