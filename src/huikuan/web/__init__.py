"""FastAPI app: the JSON API and the server-rendered console; it calls services, owns no rules."""
