"""Pictures of the chain: figure data, a self-contained HTML report and PNG export.

The same figure dicts (plotly.js JSON) feed the HTML report and the web dashboard, so
what an analyst sees in a file and in the browser is the same chart.
"""
