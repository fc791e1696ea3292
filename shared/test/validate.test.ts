/** The value rules of validate.ts: bounded strings, event columns, privileges and project metadata, at each limit. */
import { describe, expect, it } from 'vitest';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
  MAX_PRIVILEGE_LENGTH,
  MAX_PRIVILEGES,
  MAX_PROJECT_DESCRIPTION_LENGTH,
  MAX_PROJECT_NAME_LENGTH,
} from '../src/limits.js';
import {
  checkDescription,
  checkEventType,
  checkFields,
  checkTimestamp,
  isBoundedString,
  isObject,
  namedPrivileges,
  parsePrivileges,
  parseProjectInfo,
} from '../src/validate.js';

const str = (n: number): string => 'x'.repeat(n);

describe('isObject / isBoundedString', () => {
  it('a plain object only: not null, arrays or primitives', () => {
    expect([{}, { a: 1 }, Object.create(null) as object].map(isObject)).toEqual([true, true, true]);
    expect([null, [], [1], 'o', 1, undefined, true].map(isObject)).toEqual(Array(7).fill(false));
  });

  it('counts UTF-16 characters between min and max inclusive; non-strings never pass', () => {
    expect(isBoundedString('', 3)).toBe(true);
    expect(isBoundedString('abc', 3)).toBe(true);
    expect(isBoundedString('abcd', 3)).toBe(false);
    expect(isBoundedString('', 3, 1)).toBe(false);
    expect(isBoundedString('a', 3, 1)).toBe(true);
    expect(isBoundedString('😀', 1)).toBe(false);
    for (const v of [null, undefined, 3, ['a'], { length: 1 }]) expect(isBoundedString(v, 10)).toBe(false);
  });
});

describe('event columns', () => {
  it(`event_type: any string up to ${MAX_EVENT_TYPE_LENGTH} characters, empty and ic-audit.* included`, () => {
    for (const ok of ['', 'trade_opened', 'ic-audit.session', str(MAX_EVENT_TYPE_LENGTH)]) {
      expect(checkEventType(ok)).toBeNull();
    }
    const rule = `event_type must be a string of at most ${MAX_EVENT_TYPE_LENGTH} characters`;
    for (const bad of [str(MAX_EVENT_TYPE_LENGTH + 1), null, undefined, 5, ['t']])
      expect(checkEventType(bad)).toBe(rule);
  });

  it(`event_description: null or a string up to ${MAX_DESCRIPTION_LENGTH} characters`, () => {
    for (const ok of [null, '', str(MAX_DESCRIPTION_LENGTH)]) expect(checkDescription(ok)).toBeNull();
    const rule = `event_description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters, or null`;
    for (const bad of [str(MAX_DESCRIPTION_LENGTH + 1), undefined, 0, {}]) expect(checkDescription(bad)).toBe(rule);
  });

  it('timestamp: a finite number of epoch seconds, zero included, nothing negative', () => {
    for (const ok of [0, 1_780_000_000.123456, Number.MAX_SAFE_INTEGER, -0]) expect(checkTimestamp(ok)).toBeNull();
    const rule = 'timestamp must be a finite, non-negative number of epoch seconds';
    for (const bad of [-1e-9, -1, NaN, Infinity, -Infinity, '5', null, undefined])
      expect(checkTimestamp(bad)).toBe(rule);
  });

  it('fields: anything but a plain object is refused', () => {
    for (const bad of [null, [], 'x', 1, undefined]) expect(checkFields(bad)).toBe('fields must be an object');
    expect(checkFields({})).toBeNull();
    expect(checkFields({ f: () => 1 })).toBe('a value in fields is not JSON');
    expect(checkFields({ u: undefined })).toBe('a value in fields is not JSON');
  });
});

describe('parsePrivileges', () => {
  it('absent is none; one string is a one-item list; strings and nulls are kept as sent', () => {
    expect(parsePrivileges(undefined)).toEqual([]);
    expect(parsePrivileges('trade')).toEqual(['trade']);
    expect(parsePrivileges([null])).toEqual([null]);
    expect(parsePrivileges(['a', null, 'b'])).toEqual(['a', null, 'b']);
    expect(parsePrivileges([])).toEqual([]);
  });

  it(`holds ${MAX_PRIVILEGES} entries of up to ${MAX_PRIVILEGE_LENGTH} characters and refuses one more of either`, () => {
    expect(parsePrivileges(Array(MAX_PRIVILEGES).fill('p'))).toHaveLength(MAX_PRIVILEGES);
    expect(parsePrivileges([str(MAX_PRIVILEGE_LENGTH)])).toEqual([str(MAX_PRIVILEGE_LENGTH)]);
    const listRule = `project_privileges must be a string or an array of at most ${MAX_PRIVILEGES} strings or nulls`;
    const itemRule = `each privilege must be null or a string of 1 to ${MAX_PRIVILEGE_LENGTH} characters`;
    expect(parsePrivileges(Array(MAX_PRIVILEGES + 1).fill('p'))).toBe(listRule);
    expect(parsePrivileges([str(MAX_PRIVILEGE_LENGTH + 1)])).toBe(itemRule);
    expect(parsePrivileges(str(MAX_PRIVILEGE_LENGTH + 1))).toBe(itemRule);
    for (const bad of [[''], [1], [['a']], ['a', undefined]]) expect(parsePrivileges(bad)).toBe(itemRule);
    for (const bad of [null, 5, { 0: 'a' }]) expect(parsePrivileges(bad)).toBe(listRule);
  });

  it('namedPrivileges leaves the nulls out, in order', () => {
    expect(namedPrivileges([null, 'a', null, 'b'])).toEqual(['a', 'b']);
    expect(namedPrivileges([null])).toEqual([]);
  });
});

describe('parseProjectInfo', () => {
  it('fills the optional keys; null market / description mean empty', () => {
    expect(parseProjectInfo({ project_name: 'P' })).toEqual({
      project_name: 'P',
      project_market: '',
      project_description: '',
      project_privileges: [],
    });
    expect(
      parseProjectInfo({
        project_name: 'P',
        project_market: null,
        project_description: null,
        project_privileges: 'x',
      }),
    ).toEqual({ project_name: 'P', project_market: '', project_description: '', project_privileges: ['x'] });
  });

  it('holds each length limit at the edge and names the key past it', () => {
    const edge = {
      project_name: str(MAX_PROJECT_NAME_LENGTH),
      project_market: str(MAX_PROJECT_NAME_LENGTH),
      project_description: str(MAX_PROJECT_DESCRIPTION_LENGTH),
    };
    expect(parseProjectInfo(edge)).toMatchObject(edge);
    expect(parseProjectInfo({ ...edge, project_name: str(MAX_PROJECT_NAME_LENGTH + 1) })).toBe(
      `project_name must be a string of 1 to ${MAX_PROJECT_NAME_LENGTH} characters`,
    );
    expect(parseProjectInfo({ ...edge, project_name: '' })).toMatch(/^project_name/);
    expect(parseProjectInfo({ project_market: 'm' })).toMatch(/^project_name/);
    expect(parseProjectInfo({ ...edge, project_market: str(MAX_PROJECT_NAME_LENGTH + 1) })).toBe(
      `project_market must be a string of at most ${MAX_PROJECT_NAME_LENGTH} characters`,
    );
    expect(parseProjectInfo({ ...edge, project_description: str(MAX_PROJECT_DESCRIPTION_LENGTH + 1) })).toBe(
      `project_description must be a string of at most ${MAX_PROJECT_DESCRIPTION_LENGTH} characters`,
    );
    expect(parseProjectInfo({ project_name: 'P', project_market: 3 })).toMatch(/^project_market/);
    expect(parseProjectInfo({ project_name: 'P', project_privileges: [''] })).toMatch(/^each privilege/);
  });
});
