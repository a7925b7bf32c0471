"""The overnight batch on Celery workers: real worker processes on the machine's Redis and RabbitMQ."""
