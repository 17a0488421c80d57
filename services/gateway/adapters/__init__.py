"""The gateway's clients of the rest of the suite: of the services over request/reply on
RabbitMQ, and of ingest over HTTP for uploads. (Its own access data will get its store here.)"""
