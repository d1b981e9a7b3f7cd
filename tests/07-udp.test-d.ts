import { describe, expectTypeOf, test } from 'vitest';
import { classifyDatagram, type Reading, type RejectReason, type StoredReading } from '#exercise/07-udp';

// All three follow from ReadingSchema (TODO 4): the types are inferred from it.
describe('TODO 4: describe a reading', () => {
  test('Reading, inferred from ReadingSchema, is { sensor: string; value: number }', () => {
    expectTypeOf<Reading>().toEqualTypeOf<{ sensor: string; value: number }>();
  });

  test('StoredReading is a reading plus who sent it', () => {
    expectTypeOf<StoredReading>().toEqualTypeOf<{ sensor: string; value: number } & { from: { address: string; port: number } }>();
  });

  test("checking ok narrows classifyDatagram's answer to a reading with those fields, or a reason", () => {
    const result = classifyDatagram(new Uint8Array());
    if (result.ok) {
      expectTypeOf(result.reading.sensor).toEqualTypeOf<string>();
      expectTypeOf(result.reading.value).toEqualTypeOf<number>();
    } else {
      expectTypeOf(result.reason).toEqualTypeOf<RejectReason>();
    }
  });
});
