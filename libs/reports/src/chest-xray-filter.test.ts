import { describe, expect, it } from 'vitest';
import { DEFAULT_CHEST_XRAY_POLICY, selectFinalizedChestXray } from './chest-xray-filter.ts';
import { CPT_SYSTEM, LOINC_SYSTEM } from './coding-systems.ts';

describe('selectFinalizedChestXray', () => {
  it('accepts final, amended and corrected chest radiographs by LOINC or CPT code', () => {
    for (const status of ['final', 'amended', 'corrected'] as const) {
      expect(
        selectFinalizedChestXray({ status, procedure: { code: '36643-5', system: LOINC_SYSTEM } }),
      ).toEqual({
        accepted: true,
        matchedBy: 'code',
      });
    }
    expect(
      selectFinalizedChestXray({ status: 'final', procedure: { code: '71046', system: CPT_SYSTEM } })
        .accepted,
    ).toBe(true);
    expect(selectFinalizedChestXray({ status: 'final', procedure: { code: '71020' } }).accepted).toBe(true);
  });

  it('does not take a CPT number for a LOINC code of another system', () => {
    expect(
      selectFinalizedChestXray({ status: 'final', procedure: { code: '71046', system: LOINC_SYSTEM } })
        .accepted,
    ).toBe(false);
  });

  it('accepts the free-text names real feeds use', () => {
    for (const text of [
      'XR CHEST PA AND LATERAL',
      'Chest, 2 views, frontal and lateral',
      'CXR',
      'Xray Chest PA and Lateral',
      'portable chest',
      'PA and lateral views of the chest',
      'X-RAY CHEST 1 VIEW',
      'Chest AP portable',
      'Portable XR Chest Views',
    ]) {
      expect(selectFinalizedChestXray({ status: 'final', procedure: { text } }), text).toEqual({
        accepted: true,
        matchedBy: 'text',
      });
    }
  });

  it('rejects other exams with the reason', () => {
    for (const text of [
      'CT CHEST WITH CONTRAST',
      'CT HEAD WO CONTRAST',
      'US ABDOMEN COMPLETE',
      'XR RIBS LEFT W PA CHEST',
      'MRI BRAIN',
    ]) {
      const decision = selectFinalizedChestXray({
        status: 'final',
        procedure: { code: 'X1', system: 'LOCAL', text },
      });
      expect(decision.accepted, text).toBe(false);
      if (!decision.accepted) {
        expect(decision.code).toBe('NOT_CHEST_XRAY');
        expect(decision.reason).toContain('X1 (LOCAL)');
      }
    }
  });

  it('rejects non-final statuses first, naming the status', () => {
    const decision = selectFinalizedChestXray({
      status: 'preliminary',
      procedure: { code: '36643-5', system: LOINC_SYSTEM },
    });
    expect(decision).toEqual({
      accepted: false,
      code: 'STATUS_NOT_ACCEPTED',
      reason: 'status preliminary is not one of final, amended, corrected',
    });
  });

  it('follows a site policy', () => {
    const policy = {
      ...DEFAULT_CHEST_XRAY_POLICY,
      localCodes: ['RAD123'],
      acceptedStatuses: ['final' as const],
    };
    expect(
      selectFinalizedChestXray({ status: 'final', procedure: { code: 'RAD123', system: 'HOSP' } }, policy)
        .accepted,
    ).toBe(true);
    expect(
      selectFinalizedChestXray({ status: 'amended', procedure: { code: 'RAD123' } }, policy).accepted,
    ).toBe(false);
  });
});
