"""Local adapters: the SQL quota store on Django's database and the photo store on the local disk."""
