"""Renderings of the course's figures: charts, the bilingual impact report (PDF), CSV/XLSX exports and fonts.

Pure functions of domain types; nothing here reads the store or talks to Temporal.
"""
