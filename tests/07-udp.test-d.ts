import { expectTypeOf, test } from 'vitest';
import { classifyDatagram, type Reading, type RejectReason, type StoredReading } from '#exercise/07-udp';

test('Reading, inferred from ReadingSchema, is { sensor: string; value: number }', () => {
  expectTypeOf<Reading>().toEqualTypeOf<{ sensor: string; value: number }>();
});

test('StoredReading is a reading plus who sent it', () => {
  expectTypeOf<StoredReading>().toEqualTypeOf<{ sensor: string; value: number } & { from: { address: string; port: number } }>();
});

test('checking ok narrows classifyDatagram\'s answer to a reading or a reason', () => {
  const result = classifyDatagram(new Uint8Array());
  if (result.ok) {
    expectTypeOf(result.reading.sensor).toEqualTypeOf<string>();
    expectTypeOf(result.reading.value).toEqualTypeOf<number>();
  } else {
    expectTypeOf(result.reason).toEqualTypeOf<RejectReason>();
  }
});
