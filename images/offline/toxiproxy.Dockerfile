# Offline stand-in for the official Toxiproxy image: the server and CLI compiled from Go
# source through the Go module proxy (CGO_ENABLED=0, static), with the same paths,
# entrypoint and port as ghcr.io/shopify/toxiproxy.
FROM scratch
COPY toxiproxy /toxiproxy
COPY toxiproxy-cli /toxiproxy-cli
EXPOSE 8474
ENTRYPOINT ["/toxiproxy"]
CMD ["-host=0.0.0.0"]
