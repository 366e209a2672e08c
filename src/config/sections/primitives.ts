import { z } from "zod";
import { parseCidr } from "../cidr";

/** Reusable value schemas; each message says what is allowed, since it ends up in a one-line error. */
export const cidrBlock = z.string().refine((v) => parseCidr(v) !== undefined, {
  message: "allowed: an IPv4 CIDR block such as 10.20.0.0/16, with no host bits set",
});

export const isoDate = z.iso.date({ message: "allowed: a calendar date YYYY-MM-DD" });

export const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, {
  message: "allowed: an AWS region name such as eu-central-1",
});

export const amiId = z.string().regex(/^ami-[0-9a-f]{8,17}$/, {
  message: "allowed: a pinned AMI id such as ami-0123456789abcdef0",
});

export const instanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
  message: "allowed: an EC2 instance type such as m7i.large",
});

export const accountId = z.string().regex(/^\d{12}$/, { message: "allowed: a 12-digit AWS account id" });

export const dnsName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    message: "allowed: a fully qualified lower-case DNS name such as api.example.com",
  });

export const kebabName = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, {
  message: "allowed: lower-case letters, digits and single hyphens, starting with a letter",
});

export const imageDigest = z.string().regex(/^sha256:[0-9a-f]{64}$/, {
  message: "allowed: an image digest sha256:<64 hex digits>",
});

/** systemd OnCalendar expressions are checked for shape here; systemd-analyze checks them on hosts. */
export const onCalendar = z.string().regex(/^[A-Za-z0-9*:,./ -]+$/, {
  message: "allowed: a systemd OnCalendar expression such as 'Sun *-*-* 01:00:00'",
});

export const positiveInt = (max: number) =>
  z.number().int({ message: "allowed: a whole number" }).min(1, { message: `allowed: 1..${max}` }).max(max, {
    message: `allowed: 1..${max}`,
  });
