# Offline stand-in for the official node image: a Debian bookworm rootfs made by
# mmdebstrap from this machine's apt sources (imported with `docker import`), plus the
# host's own node binary. Built only when the official image cannot be pulled.
ARG ROOTFS
FROM ${ROOTFS}
COPY node /usr/local/bin/node
CMD ["node"]
