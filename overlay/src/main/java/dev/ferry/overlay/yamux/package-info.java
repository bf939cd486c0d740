/**
 * Yamux 1.0.0 (hashicorp/yamux spec.md): the session handler that parses and writes frames and
 * owns per-stream flow control, and the stream it hands to the host.
 */
package dev.ferry.overlay.yamux;
