"""The dashboard's routers, one module each; :mod:`cellchain.dashboard.app` includes them."""
