"""Streamlit's command line as Lingkaran's server processes run it:
``python -m dashboard.web.launch run dashboard/web/server.py --server.port ...``
(``serving.app_command``), with the listening socket set to send each message at once
(``serving.send_without_delay``) before Streamlit binds it, and with no question ever asked
of an outside address (``serving.fetch_nothing_from_outside``)."""

import sys

from streamlit.web.cli import main

from dashboard.web.serving import fetch_nothing_from_outside, send_without_delay

if __name__ == "__main__":
    send_without_delay()
    fetch_nothing_from_outside()
    sys.exit(main(prog_name="streamlit"))
