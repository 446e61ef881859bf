/**
 * The requests of Moneyhub's payment flows, as schemas: each field's rule is
 * written once here, checked at the edge (a 400 naming the field), and shown
 * in the OpenAPI document (description, minimum, maxLength, pattern, enum).
 * Rules come from Moneyhub's payments claim page
 * (https://docs.moneyhubenterprise.com/docs/payments-claim), Moneyhub's
 * official client (`moneyhub/moneyhub-api-client` src/get-auth-urls.ts,
 * getPaymentAuthorizeUrl and friends) and, where Moneyhub is silent, the UK
 * Open Banking payment initiation standard (OB v3.1) it sits on.
 */
import * as v from 'valibot'
import { BANK_ID } from '../session/moneyhub'
import { returnTo as returnToUrl, userId as userIdString } from '../util/fields'
import { described, email, int, named, picklist, refine, refined, strictObject } from '../util/valibot'

/** A schema defined elsewhere, with a description of its own here (described() makes a new schema; the other keeps its own). */
const redescribed = described

/** Faster Payments and Bacs references: at most 18 characters (Assumption (project): the schemes' limit). */
export const MAX_REFERENCE_LENGTH = 18
export const PAYEE_TYPES = ['api-payee', 'mh-user-account'] as const
export const PAYER_TYPES = ['api-payer', 'mh-user-account'] as const
/** Standing orders and VRP consents: the official client's readme names only mh-user-account, and takes no payer for them. */
export const ACCOUNT_PAYER_TYPES = ['mh-user-account'] as const
/** What Moneyhub's payments claim page lists: `"context": ["Other", "BillPayment", "PartyToParty"]` (https://docs.moneyhubenterprise.com/docs/payments-claim). */
export const PAYMENT_CONTEXTS = ['Other', 'BillPayment', 'PartyToParty'] as const
/**
 * Payee names as Moneyhub recommends them, since some banks limit them: "18 characters, supported characters -
 * /^[a-zA-Z0-9\s&]+$/" (https://docs.moneyhubenterprise.com/docs/payee-management).
 */
export const MAX_PAYEE_NAME_LENGTH = 18
export const PAYEE_NAME = /^[a-zA-Z0-9\s&]+$/
/** The official client's FrequencyRepeat (src/schema/standing-order.ts); its readme lists the first three. */
export const STANDING_ORDER_REPEATS = ['Daily', 'Weekly', 'Monthly', 'Quarterly', 'Yearly'] as const
export const PERIOD_TYPES = ['Day', 'Week', 'Fortnight', 'Month', 'Half-year', 'Year'] as const
export const PERIOD_ALIGNMENTS = ['Consent', 'Calendar'] as const
export const RECURRING_PAYMENT_TYPES = ['Sweeping', 'Other'] as const
export const CURRENCIES = ['GBP'] as const

/** Moneyhub's ids for payees, payers and payments (Assumption (project): UUIDs); any plain id is accepted. */
export const MONEYHUB_ID = /^[A-Za-z0-9_-]{1,64}$/
/** An ISO 8601 date, or date-time with an offset. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/
/** Printable ASCII: what bank references and names carry through Faster Payments. */
const PRINTABLE = /^[\x20-\x7e]*$/

const id = (what: string) => v.pipe(v.string(), v.regex(MONEYHUB_ID, `must be a Moneyhub ${what} id (letters, digits, - and _)`))

export const pence = (description: string | false) =>
  described(
    v.pipe(
      v.number('must be a whole number of pence'),
      v.integer('must be a whole number of pence'),
      v.gtValue(0, 'must be more than 0 pence'),
      v.maxValue(Number.MAX_SAFE_INTEGER, 'must be a whole number of pence'),
    ),
    description,
  )

export const reference = (description: string | false) =>
  described(
    v.pipe(
      v.string(),
      v.minLength(1, 'must not be empty'),
      v.maxLength(MAX_REFERENCE_LENGTH, `must be at most ${MAX_REFERENCE_LENGTH} characters`),
      v.regex(PRINTABLE, 'must be printable ASCII'),
    ),
    description,
  )

/** Date.parse rolls 2027-02-30 over to March: the day must survive the round trip. */
function isRealDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  return !Number.isNaN(Date.parse(value)) && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

export const isoDate = (description: string | false) =>
  described(
    v.pipe(
      v.string(),
      v.regex(ISO_DATE, 'must be an ISO 8601 date (2026-12-01) or date-time with offset'),
      v.check(isRealDate, 'must be a real date'),
    ),
    description,
  )

export const bankId = described(
  v.pipe(v.string(), v.regex(BANK_ID, 'must be a Moneyhub bank id (letters, digits, - and _)')),
  OPENAPI_BUILD && 'The bank the user pays from (scope id:<bankId>); the test bank is 1ffe704d39629a929c8e293880fb449a',
)
export const userId = redescribed(
  userIdString,
  OPENAPI_BUILD && 'A registered Moneyhub user to attach the payment to (claim sub with this value)',
)
export const returnTo = redescribed(returnToUrl, OPENAPI_BUILD && 'Where the browser returns afterwards: an origin in ALLOWED_ORIGINS')
export const payeeId = described(id('payee'), OPENAPI_BUILD && 'A payee made with POST /payees; give payeeId or payee, not both')
export const payerId = described(id('payer'), OPENAPI_BUILD && 'The payer, when payerType says who pays')
export const payeeType = described(
  picklist(PAYEE_TYPES),
  OPENAPI_BUILD && 'Who is paid: api-payee (default, a payee made by this client) or mh-user-account',
)
export const payerType = described(
  picklist(PAYER_TYPES),
  OPENAPI_BUILD && 'Who pays: api-payer (with payer, the account in full) or mh-user-account (with payerId)',
)
const accountPayerType = described(picklist(ACCOUNT_PAYER_TYPES), OPENAPI_BUILD && 'Who pays: mh-user-account (with payerId)')
export const context = described(picklist(PAYMENT_CONTEXTS), OPENAPI_BUILD && 'Open Banking payment context code')
export const currency = described(picklist(CURRENCIES), OPENAPI_BUILD && 'ISO 4217 currency; Moneyhub pays in GBP')

/** A UK account: a name (its own rule), sort code and account number. */
const account = (name: v.GenericSchema<string>, description: string | false) =>
  described(
    strictObject({
      name,
      sortCode: described(
        v.pipe(v.string(), v.regex(/^\d{6}$/, 'must be 6 digits')),
        OPENAPI_BUILD && 'UK sort code, 6 digits without dashes',
      ),
      accountNumber: described(v.pipe(v.string(), v.regex(/^\d{8}$/, 'must be 8 digits')), OPENAPI_BUILD && 'UK account number, 8 digits'),
    }),
    description,
  )

export const Payee = account(
  described(
    v.pipe(
      v.string(),
      v.minLength(1, 'must not be empty'),
      v.maxLength(MAX_PAYEE_NAME_LENGTH, `must be at most ${MAX_PAYEE_NAME_LENGTH} characters (Moneyhub's recommended limit)`),
      v.regex(PAYEE_NAME, "may hold only letters, digits, spaces and & (Moneyhub's recommended characters)"),
      v.regex(PRINTABLE, 'must be printable ASCII'),
    ),
    OPENAPI_BUILD && `The payee's account name: at most ${MAX_PAYEE_NAME_LENGTH} letters, digits, spaces and &, as Moneyhub recommends`,
  ),
  OPENAPI_BUILD && 'A UK bank account to pay',
)
export type Payee = v.InferOutput<typeof Payee>

/** The official client's RequestPayer (src/schema/payee.ts): an account as a payee's; readme: "required if using api-payer for payerType". */
export const payer = account(
  described(
    v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(140, 'must be at most 140 characters')),
    OPENAPI_BUILD && "The payer's account name",
  ),
  OPENAPI_BUILD && 'The account that pays, in full: with payerType api-payer, and only then',
)
/** Readme, getPaymentAuthorizeUrl: payerName and payerEmail, optional (src/schema/payment.ts, AuthRequestPostPayment). */
const payerName = described(
  v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(140, 'must be at most 140 characters'),
    v.regex(PRINTABLE, 'must be printable ASCII'),
  ),
  OPENAPI_BUILD && "The payer's name",
)
const payerEmail = described(
  v.pipe(v.string('must be an email address'), email('must be an email address'), v.maxLength(254, 'must be at most 254 characters')),
  OPENAPI_BUILD && "The payer's email address",
)

/** Exactly one of payeeId and payee (Moneyhub's client: "PayeeId or Payee are required"). */
const onePayee = refine<{ payeeId?: string; payee?: Payee }>(
  (b) => (b.payeeId === undefined) !== (b.payee === undefined),
  'give payeeId or payee, not both',
  ['payeeId'],
)

/**
 * Who pays, as the official client's readme says (getPaymentAuthorizeUrl, getReversePaymentAuthorizeUrl): payerType
 * "required only if payerId or payer is used"; payerId "required only if payerType is defined as mh-user-account";
 * payer "required if using api-payer for payerType".
 */
const payerRules = [
  refine<{ payerType?: string; payer?: unknown }>(
    (b) => (b.payerType === 'api-payer') === (b.payer !== undefined),
    'payerType api-payer needs payer (the account in full), and payer needs payerType api-payer',
    ['payer'],
  ),
  refine<{ payerType?: string; payerId?: string }>(
    (b) => (b.payerType === 'mh-user-account') === (b.payerId !== undefined),
    'payerId goes with payerType mh-user-account, and mh-user-account needs payerId',
    ['payerId'],
  ),
] as const

const payeeFields = {
  payeeId: v.optional(payeeId),
  payee: v.optional(described(Payee, OPENAPI_BUILD && 'A payee given in full; give payeeId or payee, not both')),
  payeeType: v.optional(payeeType),
  context: v.optional(context),
}
/** A single payment's or a refund's payer: a Moneyhub user's account (payerId) or an account in full (payer). */
const payerFields = { payerId: v.optional(payerId), payerType: v.optional(payerType), payer: v.optional(payer) }
/** A standing order's or VRP consent's payer: a Moneyhub user's account only (the client takes no payer for them). */
const accountPayerFields = { payerId: v.optional(payerId), payerType: v.optional(accountPayerType) }
const sessionFields = { userId: v.optional(userId), returnTo: v.optional(returnTo) }

/** POST /payments: a single domestic payment (claim mh:payment). */
export const PaymentRequest = named(
  refined(
    strictObject({
      bankId,
      amount: pence(OPENAPI_BUILD && 'Amount in pence, an integer above 0: 150 is £1.50'),
      ...payeeFields,
      ...payerFields,
      payerName: v.optional(payerName),
      payerEmail: v.optional(payerEmail),
      payeeRef: reference(OPENAPI_BUILD && 'Reference the payee sees, 1 to 18 printable characters'),
      payerRef: reference(OPENAPI_BUILD && "Reference on the payer's statement, 1 to 18 printable characters"),
      readRefundAccount: v.optional(described(v.boolean(), OPENAPI_BUILD && "Ask the bank for the payer's account, to refund it later")),
      ...sessionFields,
    }),
    onePayee,
    ...payerRules,
  ),
  OPENAPI_BUILD && 'PaymentRequest',
  OPENAPI_BUILD && 'A single payment. Give payeeId or payee, not both.',
)
export type PaymentRequest = v.InferOutput<typeof PaymentRequest>

export const dateOrder = <T extends object = Record<string, unknown>>(first: keyof T & string, last: keyof T & string, message: string) =>
  refine<T>(
    (b) => b[first] === undefined || b[last] === undefined || Date.parse(String(b[first])) <= Date.parse(String(b[last])),
    message,
    [last as string],
  )

export const StandingOrderFrequency = described(
  refined(
    strictObject({
      repeat: described(picklist(STANDING_ORDER_REPEATS), OPENAPI_BUILD && 'How often the payment repeats'),
      day: v.optional(
        described(
          v.pipe(int(), v.minValue(1, 'must be 1 or more'), v.maxValue(31, 'must be 31 or less')),
          OPENAPI_BUILD && 'Day of the week (1-7, Weekly) or month (1-31, Monthly) to pay on; required for Weekly and Monthly',
        ),
      ),
      week: v.optional(
        described(
          v.pipe(int(), v.minValue(1, 'must be 1 or more'), v.maxValue(5, 'must be 5 or less')),
          OPENAPI_BUILD && 'Week of the month to pay in (1-5)',
        ),
      ),
      month: v.optional(
        described(
          v.pipe(int(), v.minValue(1, 'must be 1 or more'), v.maxValue(12, 'must be 12 or less')),
          OPENAPI_BUILD && 'Month to pay in (1-12), for Quarterly and Yearly (the official client’s StandingOrderFrequency)',
        ),
      ),
      onlyWorkDays: v.optional(described(v.boolean(), OPENAPI_BUILD && 'Pay only on working days')),
    }),
    refine<{ repeat: string; day?: number }>(
      (f) => !['Weekly', 'Monthly'].includes(f.repeat) || f.day !== undefined,
      'Weekly and Monthly need day',
      ['day'],
    ),
    refine<{ repeat: string; day?: number }>(
      (f) => f.repeat !== 'Weekly' || f.day === undefined || f.day <= 7,
      'must be 1 to 7 for Weekly',
      ['day'],
    ),
  ),
  OPENAPI_BUILD && 'When the standing order pays',
)

/** POST /standing-orders: a standing order (claim mh:standing_order). */
export const StandingOrderRequest = named(
  refined(
    strictObject({
      bankId,
      ...payeeFields,
      ...accountPayerFields,
      reference: reference(OPENAPI_BUILD && 'Reference on every payment, 1 to 18 printable characters'),
      frequency: StandingOrderFrequency,
      numberOfPayments: v.optional(
        described(
          v.pipe(int(), v.minValue(1, 'must be 1 or more'), v.maxValue(9999, 'must be 9999 or less')),
          OPENAPI_BUILD && 'How many payments in all; give numberOfPayments, finalPaymentDate or both',
        ),
      ),
      firstPaymentAmount: pence(OPENAPI_BUILD && 'First payment, in pence (integer above 0)'),
      recurringPaymentAmount: v.optional(
        pence(OPENAPI_BUILD && 'Each payment between the first and the last, in pence; defaults to the first amount'),
      ),
      finalPaymentAmount: v.optional(pence(OPENAPI_BUILD && 'Last payment, in pence; defaults to the first amount')),
      currency: v.optional(currency),
      firstPaymentDate: isoDate(OPENAPI_BUILD && 'Date of the first payment (ISO 8601)'),
      recurringPaymentDate: v.optional(isoDate(OPENAPI_BUILD && 'Date of the first repeating payment (ISO 8601)')),
      finalPaymentDate: v.optional(
        isoDate(OPENAPI_BUILD && 'Date of the last payment (ISO 8601); give numberOfPayments, finalPaymentDate or both'),
      ),
      ...sessionFields,
    }),
    onePayee,
    ...payerRules,
    // Readme, getStandingOrderAuthorizeUrl: each is "required if" the other "is not specified"; both together are allowed.
    refine<{ numberOfPayments?: number; finalPaymentDate?: string }>(
      (b) => b.numberOfPayments !== undefined || b.finalPaymentDate !== undefined,
      'give numberOfPayments, finalPaymentDate or both',
      ['numberOfPayments'],
    ),
    dateOrder('firstPaymentDate', 'recurringPaymentDate', 'must not be before firstPaymentDate'),
    dateOrder('firstPaymentDate', 'finalPaymentDate', 'must not be before firstPaymentDate'),
  ),
  OPENAPI_BUILD && 'StandingOrderRequest',
  OPENAPI_BUILD && 'A standing order. Give payeeId or payee, and numberOfPayments or finalPaymentDate.',
)
export type StandingOrderRequest = v.InferOutput<typeof StandingOrderRequest>

export const PeriodicLimit = described(
  strictObject({
    amount: pence(OPENAPI_BUILD && 'Most that may be paid in one period, in pence'),
    currency: v.optional(currency),
    periodType: described(picklist(PERIOD_TYPES), OPENAPI_BUILD && 'The period the limit covers'),
    periodAlignment: described(
      picklist(PERIOD_ALIGNMENTS),
      OPENAPI_BUILD && 'Periods start at the consent (Consent) or on the calendar (Calendar)',
    ),
  }),
  OPENAPI_BUILD && 'A limit per period (Open Banking VRP control parameters)',
)

/** POST /recurring-payments: a variable recurring payment consent (claim mh:recurring_payment). */
export const RecurringPaymentRequest = named(
  refined(
    strictObject({
      bankId,
      ...payeeFields,
      ...accountPayerFields,
      reference: v.optional(reference(OPENAPI_BUILD && 'Reference on the payments, 1 to 18 printable characters')),
      validFromDate: v.optional(isoDate(OPENAPI_BUILD && 'When the consent starts (ISO 8601)')),
      validToDate: v.optional(isoDate(OPENAPI_BUILD && 'When the consent ends (ISO 8601)')),
      maximumIndividualAmount: pence(OPENAPI_BUILD && 'Most one payment may be, in pence'),
      currency: v.optional(currency),
      periodicLimits: described(
        v.pipe(v.array(PeriodicLimit), v.minLength(1, 'must have at least one limit'), v.maxLength(6, 'must have at most 6 limits')),
        OPENAPI_BUILD && 'Limits per period, at least one',
      ),
      // The client's parameter is `type?: string` (get-auth-urls.ts), its readme and claim type an array: both are
      // accepted, and the claim carries the array (recurringPaymentKind).
      type: v.optional(
        described(
          // More than two types reads as no option at all, as it always has (zod's "Invalid input" of a union).
          v.union([
            picklist(RECURRING_PAYMENT_TYPES),
            v.pipe(
              v.array(picklist(RECURRING_PAYMENT_TYPES)),
              v.minLength(1, 'must name at least one type'),
              v.maxLength(2, 'Invalid input'),
            ),
          ]),
          OPENAPI_BUILD && 'Sweeping (between the payer’s own accounts) and/or Other: one, or an array',
        ),
      ),
      ...sessionFields,
    }),
    onePayee,
    ...payerRules,
    dateOrder('validFromDate', 'validToDate', 'must not be before validFromDate'),
  ),
  OPENAPI_BUILD && 'RecurringPaymentRequest',
  OPENAPI_BUILD && 'A variable recurring payment (VRP) consent. Give payeeId or payee.',
)
export type RecurringPaymentRequest = v.InferOutput<typeof RecurringPaymentRequest>

const reverseFields = {
  bankId: redescribed(bankId, OPENAPI_BUILD && 'The bank the refund is paid from (the payee’s bank)'),
  amount: v.optional(pence(OPENAPI_BUILD && 'Amount to refund in pence; the whole payment when left out')),
  ...payerFields,
  ...sessionFields,
}

/** POST /payments/:id/reverse: the body; the payment to reverse comes from the path. */
export const ReversePaymentBody = named(
  refined(strictObject(reverseFields), ...payerRules),
  OPENAPI_BUILD && 'ReversePaymentBody',
  OPENAPI_BUILD && 'A refund of the payment named in the path.',
)
export type ReversePaymentBody = v.InferOutput<typeof ReversePaymentBody>

/** What the reverse_payment kind needs: the body and Moneyhub's id of the payment to reverse. */
export const ReversePaymentRequest = refined(
  strictObject({ ...reverseFields, paymentId: described(id('payment'), OPENAPI_BUILD && "Moneyhub's id of the payment to reverse") }),
  ...payerRules,
)
export type ReversePaymentRequest = v.InferOutput<typeof ReversePaymentRequest>
