import { describe, expect, it } from "vitest";
import { cleanSecret, emptyForm, validateManual } from "./form";

const valid = { ...emptyForm(), issuer: "LPSE", name: "budi", secret: "JBSW Y3DP EHPK 3PXP" };

describe("manual form", () => {
  it("accepts a usual site secret with spaces", () => {
    expect(validateManual(valid)).toEqual({});
    expect(cleanSecret("jbsw-y3dp ehpk=3pxp")).toBe("JBSWY3DPEHPK3PXP");
  });

  it("asks for the name and the secret", () => {
    expect(validateManual(emptyForm())).toEqual({
      name: "form.error.nameRequired",
      secret: "form.error.secretRequired",
    });
  });

  it("names the kind of secret problem", () => {
    expect(validateManual({ ...valid, secret: "JBSWY3DPEHPK3PX0" }).secret).toBe("form.error.secretCharacters");
    expect(validateManual({ ...valid, secret: "JBSWY3DPE" }).secret).toBe("form.error.secretLength");
    expect(validateManual({ ...valid, secret: "JBSWY3DP" }).secret).toBe("form.error.secretShort");
  });

  it("checks the advanced fields", () => {
    expect(validateManual({ ...valid, digits: 10 }).digits).toBe("form.error.digits");
    expect(validateManual({ ...valid, digits: 9 }).digits).toBeUndefined();
    // Steam Guard's length is fixed: whatever the hidden field holds is not an error.
    expect(validateManual({ ...valid, kind: "steam", digits: 9 }).digits).toBeUndefined();
    expect(validateManual({ ...valid, period: 0 }).period).toBe("form.error.period");
    expect(validateManual({ ...valid, period: 3601 }).period).toBe("form.error.period");
    expect(validateManual({ ...valid, kind: "hotp", period: 0 })).toEqual({});
    expect(validateManual({ ...valid, kind: "hotp", counter: -1 }).counter).toBe("form.error.counter");
  });
});
