/**
 * @msc/eventual
 *
 * @packageDocumentation
 */

export {};
