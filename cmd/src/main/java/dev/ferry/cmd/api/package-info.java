/**
 * The node's HTTP API for its user: JSON endpoints, server-sent events and the bearer token
 * that guards them. {@code ferry} commands other than {@code node}, {@code init} and {@code demo}
 * are clients of it.
 */
package dev.ferry.cmd.api;
