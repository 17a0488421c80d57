"""What ingest does with what arrives: `intake` turns a payload into a command and publishes it
(answering only once RabbitMQ confirmed); `import_runs` runs a bulk file import as a job."""
