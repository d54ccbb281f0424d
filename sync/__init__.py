"""Store-side sync client, wire protocol and the HQ service (``sync/hq``)."""
