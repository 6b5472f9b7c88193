"""The web UI's pages, one blueprint a module: each parses the request, calls one engine
operation, commits (webui.uow) and renders. Endpoint names are the blueprint names
(`tasks.show`, `migrations.show`, ...).
"""
