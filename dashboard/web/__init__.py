"""The web app around the pages: the Streamlit shell and controls, charts, the server process
that also serves the API, and running several of them behind HAProxy."""
