"""Receipt printers, scanners, cash drawer and customer display (no Qt here)."""
