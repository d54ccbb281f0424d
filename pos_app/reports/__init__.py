"""Manager reports: the end-of-day points report, the day close, periods and statements.

Figures come from the ledger and the sales tables of this store's database;
the outputs (PDF, CSV, receipt-printer lines) only lay them out.
"""
