/**
 * Off-policy evaluation: a target policy's value estimated from logged episodes alone (Fitted Q Evaluation,
 * per-decision importance sampling and their weighted and doubly robust forms), with bootstrap intervals over
 * episodes. Above {@code eval} (online scores), below {@code loop}, which may choose models by it (docs/ope.md).
 */
package org.batchq.ope;
