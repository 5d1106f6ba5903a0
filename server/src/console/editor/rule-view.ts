import type { Operator } from '../../personalization/rule-types.ts'
import { operatorWords } from '../rule-words.ts'
import {
  attributeChoice,
  attributeGroups,
  customKinds,
  kindOf,
  operatorsFor,
  type CustomKind,
  type ValueKind,
} from './attribute-kinds.ts'
import { adaptValue, parseValue, takesList, takesNoValue, valueText } from './condition-values.ts'
import { h, type Child } from './dom.ts'
import { field, type Control, type FieldIssues } from './field-issues.ts'
import type { IssuePath } from './issue-fields.ts'
import {
  addChild,
  addToRoot,
  childrenOf,
  newCondition,
  removeAt,
  setGroupMode,
  toggleNot,
  type ConditionDraft,
  type RuleDraft,
  type RulePath,
} from './rule-tree.ts'

/** What the rule builder needs from its page. */
export interface RuleViewOptions {
  rule: RuleDraft
  /** Where the rule is in the config (`['segments', 2, 'rule']`), for the loader's issues. */
  at: IssuePath
  editable: boolean
  issues: FieldIssues
  /** The value kind a marketer chose for a trait of their own, per condition. */
  kinds: WeakMap<object, CustomKind>
  /** A value was typed: the condition is already changed in place. */
  onInput: () => void
  /** The rule's shape changed (or a choice that redraws it): `rule` is the new root. */
  onRedraw: (rule: RuleDraft, focus?: string) => void
}

const kindLabels: Record<CustomKind, string> = {
  text: 'text',
  number: 'number',
  boolean: 'yes / no',
  date: 'date',
}

/** A key that finds a control again after the builder is drawn anew (to give it focus back). */
export function focusKey(path: RulePath, control: string): string {
  return `${JSON.stringify(path)}:${control}`
}

/**
 * The rule as a form: conditions (attribute, operator, value), groups of all / any, and `not`,
 * nested as the rule is; with the controls to add, remove and negate for an editor.
 */
export function ruleView(options: RuleViewOptions): HTMLElement {
  const { rule } = options
  if ('all' in rule || 'any' in rule) return groupView(options, rule, [], 'the rule', true)
  const add = (node: RuleDraft, control: string) => {
    const added = addToRoot(rule, node)
    options.onRedraw(added.rule, focusKey(added.at, control))
  }
  return h(
    'div',
    { class: 'rule-root' },
    nodeView(options, rule, [], '1'),
    options.editable &&
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => add(newCondition(), 'attribute') },
          'Add a condition',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => add({ any: [newCondition()] }, 'mode'),
          },
          'Add a group',
        ),
      ),
  )
}

function nodeView(
  options: RuleViewOptions,
  node: RuleDraft,
  path: RulePath,
  label: string,
): HTMLElement {
  if ('not' in node) {
    return h(
      'div',
      { class: 'not' },
      h('p', { class: 'not-label' }, `Not: rule ${label} must not match`),
      nodeView(options, node.not, [...path, 'not'], label),
    )
  }
  if ('all' in node || 'any' in node) return groupView(options, node, path, `group ${label}`, false)
  return conditionView(options, node, path, label)
}

function groupView(
  options: RuleViewOptions,
  group: { all: RuleDraft[] } | { any: RuleDraft[] },
  path: RulePath,
  name: string,
  root: boolean,
): HTMLElement {
  const mode = 'all' in group ? 'all' : 'any'
  const children = childrenOf(group)
  const redraw = (rule: RuleDraft | undefined, focus: string) => {
    if (rule !== undefined) options.onRedraw(rule, focus)
  }
  const select = h(
    'select',
    {
      disabled: !options.editable,
      'data-key': focusKey(path, 'mode'),
      onchange: (event: Event) => {
        const value = (event.target as HTMLSelectElement).value === 'any' ? 'any' : 'all'
        redraw(setGroupMode(options.rule, path, value), focusKey(path, 'mode'))
      },
    },
    h('option', { value: 'all', selected: mode === 'all' }, 'all of these rules'),
    h('option', { value: 'any', selected: mode === 'any' }, 'any of these rules'),
  )
  const suffix = root ? '' : ` to ${name}`
  const fieldset = h(
    'fieldset',
    { class: root ? 'group root' : 'group' },
    h('legend', {}, root ? 'Who is in it' : name[0]?.toUpperCase() + name.slice(1)),
    field({
      label: root ? 'A visitor is in it when they match' : `Visitors match ${name} when they match`,
      control: select,
    }),
  )
  const error = options.issues.register([...options.at, ...path, mode], fieldset)
  fieldset.append(
    error,
    h(
      'ol',
      { class: 'rules' },
      children.map((child, index) => {
        const childPath = [...path, mode, index]
        const label = root ? String(index + 1) : `${name.replace('group ', '')}.${index + 1}`
        const negated = 'not' in child
        return h(
          'li',
          {},
          nodeView(options, child, childPath, label),
          options.editable &&
            h(
              'div',
              { class: 'node-actions' },
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary small',
                  'data-key': focusKey(childPath, 'negate'),
                  onclick: () =>
                    redraw(toggleNot(options.rule, childPath), focusKey(childPath, 'negate')),
                },
                negated ? `Remove the not of rule ${label}` : `Negate rule ${label}`,
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary small danger',
                  onclick: () =>
                    redraw(removeAt(options.rule, childPath), focusKey(path, 'add-condition')),
                },
                `Remove rule ${label}`,
              ),
            ),
        )
      }),
    ),
  )
  if (options.editable) {
    const add = (node: RuleDraft, control: string) =>
      redraw(
        addChild(options.rule, path, node),
        focusKey([...path, mode, children.length], control),
      )
    fieldset.append(
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'data-key': focusKey(path, 'add-condition'),
            onclick: () => add(newCondition(), 'attribute'),
          },
          `Add a condition${suffix}`,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => add({ any: [newCondition()] }, 'mode'),
          },
          `Add a group${suffix}`,
        ),
      ),
    )
  }
  return fieldset
}

/** The kind of a condition's value: the attribute's, or the one chosen for a trait of one's own. */
function conditionKind(
  options: RuleViewOptions,
  condition: ConditionDraft,
): { kind: ValueKind; choices?: readonly string[] } {
  const chosen = options.kinds.get(condition)
  if (chosen !== undefined && attributeChoice(condition.attribute).type !== 'known') {
    return { kind: chosen }
  }
  return kindOf(condition.attribute, condition.operator, condition.value)
}

/** Keeps the operator and value fitting after the attribute or its kind changed. */
function refit(options: RuleViewOptions, condition: ConditionDraft): void {
  const { kind, choices } = conditionKind(options, condition)
  const allowed = operatorsFor(kind)
  const operator = (allowed as readonly string[]).includes(condition.operator)
    ? (condition.operator as Operator)
    : (allowed[0] ?? 'equal')
  condition.operator = operator
  setValue(
    condition,
    adaptValue(condition.value, { kind, operator, ...(choices === undefined ? {} : { choices }) }),
  )
}

function setValue(condition: ConditionDraft, value: ConditionDraft['value']): void {
  if (value === undefined) delete condition.value
  else condition.value = value
}

function conditionView(
  options: RuleViewOptions,
  condition: ConditionDraft,
  path: RulePath,
  label: string,
): HTMLElement {
  const at = [...options.at, ...path]
  const { issues, editable } = options
  const redraw = (control: string) => options.onRedraw(options.rule, focusKey(path, control))
  const choice = attributeChoice(condition.attribute)
  const { kind, choices } = conditionKind(options, condition)

  const attribute = h(
    'select',
    {
      disabled: !editable,
      'data-key': focusKey(path, 'attribute'),
      onchange: (event: Event) => {
        const value = (event.target as HTMLSelectElement).value
        if (value.startsWith('open:')) {
          const prefix = value.slice('open:'.length)
          const name = choice.type === 'open' ? choice.name : ''
          condition.attribute = prefix + name
          if (!options.kinds.has(condition)) options.kinds.set(condition, 'text')
        } else if (!value.startsWith('unknown:')) {
          condition.attribute = value
        }
        refit(options, condition)
        redraw(value.startsWith('open:') ? 'name' : 'attribute')
      },
    },
    attributeGroups.map((group) =>
      h(
        'optgroup',
        { label: group.label },
        group.known.map((item) =>
          h(
            'option',
            {
              value: item.attribute,
              selected: choice.type === 'known' && choice.item.attribute === item.attribute,
            },
            `${item.label} (${item.attribute})`,
          ),
        ),
        group.open.map((family) =>
          h(
            'option',
            {
              value: `open:${family.prefix}`,
              selected: choice.type === 'open' && choice.family.prefix === family.prefix,
            },
            `${family.label} (${family.prefix}…)`,
          ),
        ),
      ),
    ),
    choice.type === 'unknown' &&
      h(
        'option',
        { value: `unknown:${choice.attribute}`, selected: true },
        `${choice.attribute || '(none)'} (not an attribute Parley knows)`,
      ),
  )
  // An attribute of one's own is named in a text box: its problems show there, not at the list.
  const parts: Child[] = [
    choice.type === 'open'
      ? field({ label: 'Attribute', control: attribute })
      : field({ label: 'Attribute', control: attribute, path: [...at, 'attribute'], issues }),
  ]
  if (choice.type === 'open') {
    const name = h('input', {
      value: choice.name,
      disabled: !editable,
      autocomplete: 'off',
      spellcheck: 'false',
      'data-key': focusKey(path, 'name'),
      oninput: (event: Event) => {
        condition.attribute = choice.family.prefix + (event.target as HTMLInputElement).value.trim()
        options.onInput()
      },
    })
    parts.push(
      field({
        label: `Name (${choice.family.prefix}…)`,
        control: name,
        hint: 'As the site sends it, e.g. viewedPricing',
        path: [...at, 'attribute'],
        issues,
      }),
      field({
        label: 'Its values are',
        control: h(
          'select',
          {
            disabled: !editable,
            'data-key': focusKey(path, 'kind'),
            onchange: (event: Event) => {
              options.kinds.set(condition, (event.target as HTMLSelectElement).value as CustomKind)
              refit(options, condition)
              redraw('kind')
            },
          },
          customKinds.map((option) =>
            h('option', { value: option, selected: option === kind }, kindLabels[option]),
          ),
        ),
      }),
    )
  }
  const operators = operatorsFor(kind, condition.operator)
  parts.push(
    field({
      label: 'Comparison',
      control: h(
        'select',
        {
          disabled: !editable,
          'data-key': focusKey(path, 'operator'),
          onchange: (event: Event) => {
            const operator = (event.target as HTMLSelectElement).value as Operator
            condition.operator = operator
            setValue(
              condition,
              adaptValue(condition.value, {
                kind,
                operator,
                ...(choices === undefined ? {} : { choices }),
              }),
            )
            redraw('operator')
          },
        },
        operators.map((operator) =>
          h(
            'option',
            { value: operator, selected: operator === condition.operator },
            operatorWords[operator],
          ),
        ),
      ),
      path: [...at, 'operator'],
      issues,
    }),
  )
  const value = valueControl(condition, kind, choices, editable, () => options.onInput())
  if (value !== undefined) {
    parts.push(
      field({
        label: takesList(condition.operator) ? 'Values (one per line)' : 'Value',
        control: value.control,
        ...(value.hint === undefined ? {} : { hint: value.hint }),
        path: [...at, 'value'],
        issues,
      }),
    )
  }
  return h(
    'fieldset',
    { class: 'condition' },
    h('legend', {}, `Condition ${label}`),
    h('div', { class: 'condition-fields' }, parts),
  )
}

/** The control a value is typed in, fitting its kind and operator (none for exists). */
function valueControl(
  condition: ConditionDraft,
  kind: ValueKind,
  choices: readonly string[] | undefined,
  editable: boolean,
  onInput: () => void,
): { control: Control; hint?: string } | undefined {
  const { operator } = condition
  if (takesNoValue(operator)) return undefined
  const update = (event: Event) => {
    setValue(condition, parseValue((event.target as Control).value, kind, operator))
    onInput()
  }
  const common = { disabled: !editable, oninput: update, onchange: update }
  const text = valueText(condition.value)
  if (takesList(operator)) {
    return {
      control: h('textarea', { ...common, rows: 3, value: text }),
      hint:
        kind === 'choice' ? `One of: ${(choices ?? []).join(', ')}` : 'Each value on its own line',
    }
  }
  if (kind === 'boolean' || kind === 'choice') {
    const options = kind === 'boolean' ? ['true', 'false'] : [...(choices ?? [])]
    return {
      control: h(
        'select',
        common,
        h('option', { value: '', selected: text === '' }, 'choose…'),
        options.map((option) =>
          h(
            'option',
            { value: option, selected: option === text },
            option === 'true' ? 'yes (true)' : option === 'false' ? 'no (false)' : option,
          ),
        ),
        text !== '' &&
          !options.includes(text) &&
          h('option', { value: text, selected: true }, text),
      ),
    }
  }
  if (kind === 'number') {
    return { control: h('input', { ...common, type: 'number', step: 'any', value: text }) }
  }
  if (kind === 'date') {
    return {
      control: h('input', { ...common, type: 'date', value: text }),
      hint: 'Compared as a date',
    }
  }
  const hints: Partial<Record<string, string>> = {
    matches: 'A regular expression (JavaScript), e.g. ^[Aa]cme; case counts',
    starts_with: kind === 'paths' ? 'e.g. /pricing: has seen a pricing page' : undefined,
  }
  const hint = hints[operator]
  return {
    control: h('input', {
      ...common,
      value: text,
      autocomplete: 'off',
      spellcheck: 'false',
    }),
    ...(hint === undefined ? {} : { hint }),
  }
}
