# The app as it runs in production: compiled once (node ace build), production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node ace build && cd build && npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# dcmtk: storescu for integration checks; a CJK font for printable PDF reports.
RUN apt-get update && apt-get install -y --no-install-recommends dcmtk fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/build /app
ENV NODE_ENV=production TZ=UTC HOST=0.0.0.0 PORT=3333
EXPOSE 3333
USER node
CMD ["sh", "-c", "node ace migration:run --force && node bin/server.js"]
