"""Domain handlers of station events. Importing this package registers every one of them."""
