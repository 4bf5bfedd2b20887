"""Rendering: HTML pages and open data (render/html.py, render/data.py); PDFs in render/pdf.py."""
