# The production image of the app (and, with another command, of the worker).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY api api
COPY core core
COPY schema schema
COPY search search
COPY data data
RUN pip install --no-cache-dir . && useradd --system --no-create-home entrelieux \
    && install -d -o entrelieux /var/lib/entrelieux/media  # the photos' volume (MEDIA_DIR)
USER entrelieux
EXPOSE 8000
CMD ["entrelieux", "serve"]
