/** Scenario action strings, as `whatif --action` and `POST /v1/whatif` take them. */
import { expect, it } from 'vitest';
import { SalescastError } from '../../src/core/errors.js';
import { parseAction } from '../../src/realtime/explain-service.js';

it.each([
  ['discount+5', { driver: 'discount_pct', op: 'add', value: 5 }],
  ['discount - 2.5', { driver: 'discount_pct', op: 'add', value: -2.5 }],
  ['price*0.9', { driver: 'price', op: 'multiply', value: 0.9 }],
  ['promo=on', { driver: 'on_promo', op: 'set', value: 1 }],
  ['promo=OFF', { driver: 'on_promo', op: 'set', value: 0 }],
  ['discount=20', { driver: 'discount_pct', op: 'set', value: 20 }],
  ['temp_c=-2', { driver: 'temp_c', op: 'set', value: -2 }],
  ['promo_type=flyer', { driver: 'promo_type', op: 'set', value: 'flyer' }],
  ['temp_c+3', { driver: 'temp_c', op: 'add', value: 3 }],
])('parses %s', (text, action) => {
  expect(parseAction(text)).toEqual(action);
});

it.each([
  ['', 'is not <driver><op><value>'],
  ['discount', 'is not <driver><op><value>'],
  ['discount+', 'is not <driver><op><value>'],
  ['discount++5', "'+5' is not a number"],
  ['price*x', "'x' is not a number (a factor such as 0.9)"],
  ['price*-0.5', "'-0.5' is not a number"],
  ['discount+-5', "'-5' is not a number"],
  ['discount+Infinity', "'Infinity' is not a number"],
])('refuses %j naming the input', (text, message) => {
  const e = (() => {
    try {
      parseAction(text, 'actions[2]');
    } catch (error) {
      return error;
    }
  })() as SalescastError;
  expect(e).toBeInstanceOf(SalescastError);
  expect(e.code).toBe('INVALID_ARGUMENT');
  expect(e.location.field).toBe('actions[2]');
  expect(e.message).toContain(message);
  expect(e.message.startsWith(`actions[2] '${text}'`)).toBe(true);
});
