/** Message framing on streams: unsigned-varint length-prefixed messages with a size limit. */
package dev.ferry.overlay.framing;
