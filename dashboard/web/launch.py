"""Streamlit's command line as Lingkaran's server processes run it:
``python -m dashboard.web.launch run dashboard/web/server.py --server.port ...``
(``serving.app_command``), with the listening socket set to send each message at once
(``serving.send_without_delay``) before Streamlit binds it."""

import sys

from streamlit.web.cli import main

from dashboard.web.serving import send_without_delay

if __name__ == "__main__":
    send_without_delay()
    sys.exit(main(prog_name="streamlit"))
